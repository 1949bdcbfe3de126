/** The slice of a pino logger the webhook receiver uses; pino's Logger satisfies it. */
export interface WebhookLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: WebhookLogger = { info() {}, warn() {}, error() {} };
