# The service on Node.js 24, the current LTS line (one package.json's engines allow; every dependency supports it),
# pinned to a minor release so that a rebuild gets the Node that was tested, not whatever 24.x is newest that day.
# To bump it: pick a newer 24.x tag listed on Docker Hub (https://hub.docker.com/_/node), build, and run the tests
# on that Node (test/deployment.test.ts checks the tag against engines and every dependency).
FROM node:24.11-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY seeds ./seeds
COPY migrations ./migrations
# what `npm run admin-key` and `npm run seed` run, e.g. docker compose exec service npm run admin-key
COPY scripts/admin-key.ts scripts/seed.ts ./scripts/
COPY scripts/lib/database.ts ./scripts/lib/
# Without DATABASE_URL the embedded database lives in /data (mount a volume there to keep it).
RUN mkdir /data && chown node:node /data
ENV DATA_DIR=/data HOST=0.0.0.0 PORT=3000
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import=tsx", "src/server.ts"]
