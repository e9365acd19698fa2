/**
 * A chat message the server cannot turn into template input. `param` names the field as
 * OpenAI error bodies do ("messages[2].content"); the server answers 400 with it.
 */
export class ToolMessageError extends Error {
  constructor(message: string, readonly param: string) {
    super(message);
    this.name = 'ToolMessageError';
  }
}
