# syntax=docker/dockerfile:1
#
# cnn-lens images.
#   CPU (default target):  docker build -t cnn-lens:cpu .
#   GPU (CUDA 12, cuDNN 9): docker build --target gpu -t cnn-lens:gpu .
# ROLE (all | api | worker) picks what the container runs; see deploy/README.md.

ARG NODE_IMAGE=node:20-bookworm-slim
# onnxruntime-node 1.2x/1.3x CUDA builds are linked against CUDA 12.x and cuDNN 9;
# the "-cudnn-" runtime tags of CUDA >= 12.4 carry cuDNN 9.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04

# ---------------------------------------------------------------------------
# deps: the full dependency tree, dev tools included, for the build.
# Install scripts stay off, as on the developers' machines (npm 11 runs none
# without approval): every native module ships its binary in a registry package,
# and onnxruntime-node's CUDA download is done on purpose in gpu-deps below.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# ---------------------------------------------------------------------------
# build: compile TypeScript to dist/, then drop the dev dependencies and the
# native binaries of other platforms.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY proto/ ./proto/
COPY src/ ./src/
RUN npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force
# onnxruntime-node's package carries its native binding for every platform (darwin
# 86 MB, win32 134 MB, linux/arm64 25 MB): keep only linux/<arch> of the platform being
# built, which is where this stage runs (node names it x64 or arm64, as the folders do).
# gpu-deps adds the CUDA provider to that same folder.
RUN bin=node_modules/onnxruntime-node/bin/napi-v6 keep="linux/$(node -p process.arch)" \
  && test -f "$bin/$keep/onnxruntime_binding.node" \
  && mv "$bin/$keep" "$bin.keep" \
  && rm -rf "$bin" \
  && mkdir -p "$bin/linux" \
  && mv "$bin.keep" "$bin/$keep"

# ---------------------------------------------------------------------------
# gpu-deps: onnxruntime-node's install script fetches the CUDA 12 execution
# provider (libonnxruntime_providers_cuda.so) that npm cannot ship. The
# ONNXRUNTIME_NODE_INSTALL variable outranks the .npmrc "skip" setting.
FROM build AS gpu-deps
RUN ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js \
  && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so

# ---------------------------------------------------------------------------
# node-binary: the official Node 20 build, reused as-is in the CUDA image
# (it needs glibc >= 2.28; Ubuntu 22.04 has 2.35).
FROM ${NODE_IMAGE} AS node-binary

# ---------------------------------------------------------------------------
# gpu: CUDA runtime + cuDNN, Node 20, the CUDA build of onnxruntime-node.
FROM ${CUDA_IMAGE} AS gpu
COPY --from=node-binary /usr/local/bin/node /usr/local/bin/node
# Chart and label text is SVG rasterised by sharp (librsvg + fontconfig): it needs a font.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fontconfig fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --shell /usr/sbin/nologin --create-home node
WORKDIR /app
ENV NODE_ENV=production \
    PORT=8080 \
    GRPC_PORT=50051 \
    ROLE=worker \
    MODEL_REPOSITORY=/app/models \
    ORT_EXECUTION_PROVIDERS=cuda,cpu
COPY --from=gpu-deps /app/package.json ./package.json
COPY --from=gpu-deps /app/node_modules ./node_modules
COPY --from=gpu-deps /app/dist ./dist
COPY --from=gpu-deps /app/proto ./proto
COPY models/ ./models/
USER node
EXPOSE 8080 50051
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]

# ---------------------------------------------------------------------------
# cpu (default, last stage): slim Debian with Node 20, CPU execution provider.
FROM ${NODE_IMAGE} AS cpu
# Chart and label text is SVG rasterised by sharp (librsvg + fontconfig): it needs a font.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fontconfig fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    PORT=8080 \
    GRPC_PORT=50051 \
    ROLE=all \
    MODEL_REPOSITORY=/app/models \
    ORT_EXECUTION_PROVIDERS=cpu
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
COPY models/ ./models/
USER node
EXPOSE 8080 50051
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
