# baton's controller as an image: `baton up` (Redis, built-in runtime, controller,
# worker) by default, or `baton worker` / `baton runtime` as the command.
#
# Volumes: /var/lib/baton is the state dir (kubeconfig, API tokens, Redis AOF,
# the runtime's object store, pod logs, Git mirrors). Keep it on a volume so a
# restarted container resumes where it stopped.
# Ports: 7070 REST API, webhooks, /metrics; 7071 runtime Kubernetes API; 7080 ingress.
# All listen on 127.0.0.1 inside the container unless configured otherwise.
# Image pods (the oci RuntimeClass: runc, a bridge, nftables) need root and a
# privileged container (`docker run --privileged --user 0 …`); as the non-root
# user here the default command runs host-program pods (`process`) only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY controller ./controller
COPY renderer ./renderer
COPY runtime ./runtime
# npm ci runs `prepare`, which compiles TypeScript to dist/.
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# No dev dependencies (no tsc, so no `prepare`); native modules still need their build.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3

# kubectl, for Kustomize apps (`kubectl kustomize`, Kustomize v5): Debian's
# kubernetes-client is 1.20, too old. A pinned release, checked against its published sha256.
FROM debian:bookworm-slim AS kubectl
ARG KUBECTL_VERSION=v1.32.3
ARG TARGETARCH=amd64
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates \
 && curl -fsSLo /kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl" \
 && echo "$(curl -fsSL "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl.sha256")  /kubectl" | sha256sum -c - \
 && chmod 0755 /kubectl

FROM node:20-bookworm-slim
# The packages `baton setup` installs (controller/edges/cli/setup/system-packages.ts; a test keeps the two lists equal).
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server git ca-certificates util-linux busybox-static runc iproute2 nftables conntrack kmod \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/baton --uid 10001 baton
WORKDIR /app
COPY --from=kubectl /kubectl /usr/local/bin/kubectl
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY charts ./charts
COPY examples-repo ./examples-repo
COPY runtime/api/openapi/kubernetes-spec.json ./runtime/api/openapi/kubernetes-spec.json
USER baton
VOLUME ["/var/lib/baton"]
EXPOSE 7070 7071 7080
ENV NODE_ENV=production
# controller/edges/cli/node-process-env.ts: what bin/baton.js's first line sets (ENTRYPOINT runs node directly).
ENV MALLOC_ARENA_MAX=2
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7070/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/baton.js"]
CMD ["up", "--state-dir", "/var/lib/baton", "--default-runtime-class", "process"]
