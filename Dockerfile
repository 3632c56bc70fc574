# keywatch container image.
#
#   docker build -t keywatch:local .
#   docker run --rm -p 8000:8000 -v keywatch-data:/data \
#     -e KEYWATCH_API_PASSWORD=... keywatch:local
#
# Two stages on the same base (Node 22 LTS, Debian bookworm slim), so the native
# better-sqlite3 addon compiled in the build stage matches the runtime's Node ABI and glibc.
# No secret is ever passed as ARG or ENV here: the API password, the metrics token and AWS
# credentials come from the environment at run time (Kubernetes Secret, IRSA, `docker run -e`).

############################ build ############################
FROM node:22-bookworm-slim AS build

# Toolchain for node-gyp, used when better-sqlite3 has no prebuilt binary for the platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

# npm 11 understands the `allowScripts` field of package.json (npm 10, bundled with Node 22, ignores it).
RUN npm install -g npm@11 --no-audit --no-fund \
    && npm --version

WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# Dependencies first, in their own layer, so a source change does not reinstall them.
# --ignore-scripts here because the project's `prepare` script (the TypeScript build) needs
# the sources, which are not copied yet; the one install script the app needs at run time,
# better-sqlite3's native build, is run explicitly by `npm rebuild`.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
    && npm rebuild better-sqlite3

# The TypeScript build (what `prepare` runs during a plain `npm ci`): src/ -> dist/.
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Keep only what runs in production: drop dev dependencies, and better-sqlite3's C sources
# and intermediate objects (~25 MB) once its addon is built. Then prove the addon loads.
RUN npm prune --omit=dev \
    && cd node_modules/better-sqlite3 \
    && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps \
       build/Release/sqlite3.a build/Release/test_extension.node \
    && cd /app \
    && node -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get()" \
    && test -f dist/main.js \
    && test -f dist/cli.js

############################ runtime ############################
FROM node:22-bookworm-slim AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="keywatch" \
      org.opencontainers.image.description="Self-hosted AWS IAM credential-hygiene scanner: scans IAM users and access keys, keeps every run in SQLite, serves findings, history and diffs over REST." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/node:22-bookworm-slim"

ENV NODE_ENV=production \
    PORT=8000 \
    KEYWATCH_DB_PATH=/data/keywatch.db

# A fixed numeric UID/GID so Kubernetes `runAsNonRoot` can verify it and `fsGroup: 10001` matches.
# The package managers of the base image are not needed at run time (use `node dist/cli.js`):
# removing them takes their bundled dependencies out of the image and of vulnerability scans.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
       /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
       /opt/yarn-v* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
    && groupadd --system --gid 10001 keywatch \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin keywatch \
    && mkdir -p /data \
    && chown 10001:10001 /data \
    && chmod 0750 /data

WORKDIR /app

# Application files stay owned by root: the app user can read but not modify its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Drizzle SQL migrations, applied at start-up.
COPY migrations ./migrations

USER 10001:10001

# The SQLite database (and its -wal/-shm files) live here; mount a volume to keep them.
VOLUME ["/data"]
EXPOSE 8000

# No curl in the slim image: Node's own fetch checks liveness. Exec form, PORT read from the env.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/api/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Exec form: node is PID 1 and receives SIGTERM directly; the app handles SIGTERM/SIGINT itself
# and drains within KEYWATCH_SHUTDOWN_GRACE_S (25 s; Docker's default stop timeout is 10 s, so use
# `docker stop -t 30`). No tini needed for signals; `docker run --init` adds one as a zombie reaper.
CMD ["node", "dist/main.js"]
