# runmedic: the bot, the HTTP ingest API and the scheduler (npm start), with the run database on a volume.
#   docker build -t runmedic .
#   docker run --env-file .env -p 8787:8787 -v runmedic-data:/data runmedic
# The CLI works in the same image: docker run --rm -v runmedic-data:/data runmedic node dist/src/cli.js runs

# --- build: native modules (better-sqlite3 compiles; @tensorflow/tfjs-node downloads libtensorflow, a build has internet)
FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Everything the program reads at run time (.dockerignore leaves out tests, benches, local databases and secrets).
COPY . .
# Everything the lockfile says, dev tools included: `prepare` compiles the TypeScript into dist/ (tsc). Then the dev
# tools (typescript, tsx, vitest) go; optional dependencies (the native TensorFlow backend) stay.
RUN npm ci --include=optional \
 && node -e "require('better-sqlite3')" \
 && (node -e "require('@tensorflow/tfjs-node')" || echo "warning: @tensorflow/tfjs-node unavailable; jobs use the wasm backend") \
 && test -f dist/src/main.js \
 && npm prune --omit=dev --include=optional

# --- runtime: the same Debian release as the build, so the compiled modules load
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RUNMEDIC_DB=/data/runmedic.db \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8787
RUN groupadd --system runmedic \
 && useradd --system --gid runmedic --home-dir /app --shell /usr/sbin/nologin runmedic \
 && mkdir -p /data \
 && chown runmedic:runmedic /data
WORKDIR /app
COPY --from=build /app /app
USER runmedic
VOLUME ["/data"]
EXPOSE 8787
CMD ["npm", "start"]
