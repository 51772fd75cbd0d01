# The analyst server. Everything it needs (npm packages, DuckDB extensions) is fetched at build
# time; the running container needs no network except its configured endpoints (air-gapped).
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY lakehouse/extensions ./lakehouse/extensions
COPY core ./core
RUN npm ci --no-audit --no-fund
COPY . .
RUN ANALYST_EXTENSIONS_REQUIRED=1 npm run postinstall && npm prune --omit=dev

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
