# syntax=docker/dockerfile:1
# The ecs-acl-controller image: a drop-in for `consul-ecs acl-controller` on ECS.
#
# Invariants (checked by test/deploy/dockerfile.spec.ts, which emulates this build):
# - Three stages on the same pinned Node 22 LTS base: `build` compiles with the dev
#   dependencies, `deps` installs production dependencies only, `runtime` holds nothing else.
# - The runtime stage has no npm step, runs as a non-root numeric user, writes nothing outside
#   /tmp (HOME and npm's cache point there), so it runs on a read-only root filesystem.
# - ENTRYPOINT is the CLI, so the Terraform module's `command = ["acl-controller", ...]` works.
# - HEALTHCHECK asks /healthz with node itself (slim images have no curl); the ECS task
#   definition in config/ecs uses the same command.

FROM node:22.22.0-bookworm-slim AS build
WORKDIR /app
ENV npm_config_cache=/tmp/.npm
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY controllers ./controllers
COPY envtest ./envtest
RUN npx tsc -p tsconfig.json

FROM node:22.22.0-bookworm-slim AS deps
WORKDIR /app
ENV npm_config_cache=/tmp/.npm
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:22.22.0-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="ecs-acl-controller" \
      org.opencontainers.image.description="Consul ACL token controller for Amazon ECS" \
      org.opencontainers.image.licenses="MPL-2.0"
# V8 grows the old space far beyond the live set during a cold start's write storm; 96 MB holds
# about 3 times the live heap at 10,000 tasks (33 MB) and keeps the peak RSS near 135 MB instead of
# 165 MB; a 4 MB semi-space (V8's default is 16 MB, three of them in the young generation) takes
# it to 122 MB at the same resync CPU. Raise the old space (NODE_OPTIONS in the task definition)
# above about 25,000 tasks.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=96 --max-semi-space-size=4" \
    HOME=/tmp \
    npm_config_cache=/tmp/.npm \
    npm_config_update_notifier=false
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/controllers ./dist/controllers
COPY --from=build /app/dist/envtest ./dist/envtest
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/controllers/cli/main.js"]
CMD ["--help"]
