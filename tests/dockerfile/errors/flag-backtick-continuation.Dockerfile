# escape=`
FROM alpine
COPY --from=base `
     --chmod `
     x y
