# The analyst server. Everything it needs (npm packages, DuckDB extensions) is fetched at build
# time; the running container needs no network except its configured endpoints (air-gapped).
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first (a cached layer while the lock file is unchanged). Their install scripts and
# the project's postinstall need the whole source tree, so they run after COPY . . (npm rebuild);
# the postinstall runs once more with the extensions required, so a missing one fails the build.
# scripts/dockerfile-steps.mjs replays these steps in CI (.ci/run).
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm rebuild && ANALYST_EXTENSIONS_REQUIRED=1 npm run postinstall && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production ANALYST_WORKSPACE=/workspace
WORKDIR /app
COPY --from=build /app /app
RUN useradd --system --uid 10001 analyst && mkdir -p /workspace && chown analyst /workspace
USER analyst
EXPOSE 8787
HEALTHCHECK CMD node -e "fetch('https://127.0.0.1:8787/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "bin/analyst.mjs"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8787", "--strict"]
