/** Options every otpctl command takes. */
export interface GlobalArguments {
  /** Print one JSON document instead of text. */
  json: boolean;
}
