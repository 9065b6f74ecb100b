# ksm and its plugins in a small static image, run as a non-root user.
# The build stage runs `make build`, the recipe CI tests and releases use.
#   docker build -t ksm .
#   docker run --rm -e KSM_CONFIG="$(cat prod.b64)" ksm secret list
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=docker
RUN make build BIN=/out VERSION=$VERSION && mkdir /config

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
# keeper.ini goes here, writable by the user (mount a volume to keep it,
# e.g. for KSM_TOKEN).
COPY --from=build --chown=nonroot:nonroot /config /config
ENV KSM_INI_DIR=/config
WORKDIR /config
USER nonroot
ENTRYPOINT ["ksm"]
