export { connectRedis, parseRedisUrl, redact, type ConnectRedisOptions } from './connect-redis.js';
export { RedisError, type RedisErrorCode, type RedisErrorData } from './redis-error.js';
export { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server.js';
export { describeRedis, openRedis, type OpenedRedis, type OpenRedisOptions } from './open-redis.js';
