/**
 * A start or script the setup stops: a setting, the data directory, the database or the admin key.
 * Its message is for whoever runs the service, told in one line without a stack trace.
 */
export class SetupError extends Error {
  override name = 'SetupError';
}
