/** What a log line is about, as fields: a logger writes them beside the line (JSON `app`, `revision`, `event`). */
export interface LogLineContext {
  /** The app the line is about (a preview's app by its tracked name, `pr-N.<app>`). */
  app?: string;
  /** The commit the line is about (full id). */
  revision?: string;
  /** What happened, for readers that look for it rather than read the sentence: `rollback`. */
  event?: string;
}

/**
 * How the controller's parts tell a person what they decided (`log` options):
 * a sentence, and what it is about as fields, so no reader parses the sentence back.
 */
export type LogLine = (line: string, context?: LogLineContext) => void;
