# carewindow as a container: `docker build -t carewindow .`, then `docker run -p 8080:8080 carewindow`, or
# `docker compose up` with PostgreSQL (compose.yaml). docs/deployment.md, "Containers", has the details.

# The Node.js major carewindow supports (package.json "engines"); Debian bookworm, slim.
ARG NODE_IMAGE=node:20-bookworm-slim

# A compiler for better-sqlite3, the one native dependency. Its install script downloads a prebuilt binary and
# compiles from source when none can be had; npm_config_nodedir gives node-gyp the image's own Node headers, so
# compiling needs no download either.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app

# The compiled JavaScript (dist/). Install scripts are skipped — `prepare` would build before the sources are
# here, and the development tools' own downloads are not needed — so the build runs once, explicitly.
FROM toolchain AS build
COPY package.json package-lock.json ./
# The policy package is a workspace: npm ci needs its package.json, and the build compiles it from src/domain.
COPY packages/policy/package.json packages/policy/tsconfig.json ./packages/policy/
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The dashboard, built into dist/web with the rest.
COPY web ./web
RUN npm run build

# The production dependencies only, better-sqlite3's native module built for this image.
FROM toolchain AS dependencies
COPY package.json package-lock.json ./
COPY packages/policy/package.json ./packages/policy/
RUN npm ci --omit=dev --ignore-scripts \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force

# What runs: Node, the production dependencies and the compiled code, as the unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# Inside a container carewindow must listen on every interface (its default, 127.0.0.1, is unreachable from outside).
ENV CAREWINDOW_HOST=0.0.0.0
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY examples ./examples
# The embedded SQLite database (./data/carewindow.db) and the sandbox's key live here; a volume keeps them.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 8080
# Ready when the database answers: /readyz, asked with Node itself (slim images have no curl), on 8080 or
# CAREWINDOW_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CAREWINDOW_PORT || 8080) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
# `docker run carewindow` serves; `docker run carewindow migrate` (or tenant, key, …) runs another command.
ENTRYPOINT ["node", "bin/carewindow.js"]
CMD ["serve"]
