import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

/** The request and response classes an HTTP(S) server serving `app` should construct (its `IncomingMessage`/`ServerResponse` options). */
export interface ServerClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

const made = new WeakMap<Express, ServerClasses>();

/**
 * Requests and responses made with express's prototypes from the start.
 * Express gives every request and response its own prototypes
 * (`Object.setPrototypeOf` in `app.handle`), which turns the objects Node's
 * HTTP code handles polymorphic and sends its property reads to slow paths:
 * about two thirds of the CPU of a small API request. Constructed with those
 * prototypes already, express's swap is a no-op and Node's code stays fast;
 * express still sees its own `req`/`res` methods, as before.
 */
export function serverClassesFor(app: Express): ServerClasses {
  let classes = made.get(app);
  if (classes) return classes;
  class ApiRequest extends IncomingMessage {}
  class ApiResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}
  Object.setPrototypeOf(ApiRequest.prototype, app.request);
  Object.setPrototypeOf(ApiResponse.prototype, app.response);
  app.request = ApiRequest.prototype as unknown as Express['request'];
  app.response = ApiResponse.prototype as unknown as Express['response'];
  classes = { IncomingMessage: ApiRequest, ServerResponse: ApiResponse };
  made.set(app, classes);
  return classes;
}
