# syntax=docker/dockerfile:1
# Build stage: the same steps as `npm ci && npm run build`.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json bunfig.toml ./
COPY scripts ./scripts
COPY src ./src
ARG BUILD_COMMIT=unknown
ENV BUILD_COMMIT=${BUILD_COMMIT}
RUN npm run build

# Final stage: only the binary, on a minimal glibc base, as a non-root user.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist/promregator /promregator
ENV PROMREGATOR_CONFIG=/etc/promregator/promregator.yml
EXPOSE 8080
USER nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s CMD ["/promregator", "--healthcheck"]
ENTRYPOINT ["/promregator"]
