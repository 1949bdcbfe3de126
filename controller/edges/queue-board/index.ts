export { queueBoardRouter, type QueueBoardOptions } from './queue-board-router.js';
export { deployTokenAuth, TOKEN_COOKIE, type TokenRoles } from './queue-board-auth.js';
