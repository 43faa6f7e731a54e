# syntax=docker/dockerfile:1
# Container image of promregator: one static-enough binary on a distroless glibc base.
#   docker build --build-arg BUILD_COMMIT=$(git rev-parse --short HEAD) -t promregator .
#   docker run -p 8080:8080 -v $PWD/promregator.yml:/etc/promregator/promregator.yml:ro -e CF_PASSWORD promregator
# See docs/cloud-foundry.md (section "Container") for configuration from the environment.

# Build stage: the same two steps as CI and the README (`npm ci`, then `npm run build`).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json bunfig.toml ./
COPY scripts ./scripts
COPY src ./src
ARG BUILD_COMMIT=unknown
RUN BUILD_COMMIT="${BUILD_COMMIT}" npm run build && ./dist/promregator --version

# Final stage: only the binary. It links nothing but glibc (libc, libm, libpthread, libdl), which
# distroless/base has; no shell, no package manager. Runs as the image's non-root user (65532).
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /src/dist/promregator /promregator
# PORT is read by the server and by --healthcheck alike, so both agree on the port.
ENV PORT=8080 \
    PROMREGATOR_CONFIG=/etc/promregator/promregator.yml
EXPOSE 8080
USER nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 CMD ["/promregator", "--healthcheck"]
ENTRYPOINT ["/promregator"]
