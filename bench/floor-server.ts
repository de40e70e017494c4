/**
 * The floor of `npm run bench:load`: a bare Fastify server with node-postgres answering
 * GET /api/queue?number=… with one lookup by the applications' unique number (an index scan, the
 * same cost as a primary-key lookup), with the logging Kezek uses (Fastify's pino logger at
 * LOG_LEVEL, a request id per request, to stdout) and the same pool size. Kezek registers no
 * rate-limit plugin (its limits are the sign-in throttles in the database), so neither does this.
 * Env: DATABASE_URL, PORT, LOG_LEVEL.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' }, genReqId: () => crypto.randomUUID() });

app.get('/api/queue', async (req, reply) => {
  const number = String((req.query as { number?: string }).number ?? '');
  const r = await pool.query('select id, number, status, birth_year from applications where number = $1', [number]);
  if (r.rowCount === 0) return reply.status(404).send({ error: 'not_found', message: 'not found' });
  return r.rows[0];
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const stop = () => void app.close().then(() => pool.end()).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
