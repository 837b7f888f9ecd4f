# Parley node image for docker-compose.yml (issue 13). Two stages: the build one has the
# compilers for the mediasoup worker and native npm modules; the runtime one only the shared
# libraries they link, FFmpeg for broadcasts, and Node.

# --- build ------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build

# The mediasoup worker's build dependencies: the same Debian packages scripts/setup.mjs
# installs for `npm start` (DEBIAN_PACKAGES there).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      meson ninja-build pkg-config libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev \
      libabsl-dev nlohmann-json3-dev g++ make python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Where build-mediasoup-worker.mjs caches the worker and where the server looks for it.
ENV PARLEY_CACHE_DIR=/opt/parley/cache

# Dependencies first, so editing the sources does not redo `npm ci`.
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY turn/package.json turn/
COPY sfu/package.json sfu/
COPY hls-gateway/package.json hls-gateway/
COPY recorder/package.json recorder/
COPY signaling/package.json signaling/
COPY app/package.json app/
COPY tests/package.json tests/
# As in scripts/setup.mjs: with MEDIASOUP_WORKER_BIN set, mediasoup's postinstall neither
# downloads a prebuilt worker nor builds one; we build our own below. tsx, which runs the
# server, is a devDependency: keep them.
RUN MEDIASOUP_WORKER_BIN=/nonexistent npm ci --no-audit --no-fund

# The worker exactly as `npm start` builds it (scripts/setup.mjs calls the same function),
# against Debian's libraries, into PARLEY_CACHE_DIR.
COPY scripts/build-mediasoup-worker.mjs scripts/
RUN node scripts/build-mediasoup-worker.mjs

COPY . .
RUN NODE_ENV=production npm run build -w app

# --- runtime ----------------------------------------------------------------------------
FROM node:20-bookworm-slim

# FFmpeg for broadcasts and recordings (names drawn in DejaVu Sans); the shared libraries
# the worker links (`ldd mediasoup-worker`).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ffmpeg fonts-dejavu-core libssl3 libuv1 libsrtp2-1 libusrsctp2 libabsl20220623 \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PARLEY_CACHE_DIR=/opt/parley/cache \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/parley

WORKDIR /app
# Code and worker stay root-owned: the server only writes under DATA_DIR.
COPY --from=build /opt/parley/cache /opt/parley/cache
COPY --from=build /app /app
RUN mkdir -p /var/lib/parley && chown node:node /var/lib/parley

USER node
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "--import", "tsx", "signaling/src/main.ts"]
