# man/local.mk: mdoc pages, linted by make check.
