# contrib/local.mk: systemd units.
