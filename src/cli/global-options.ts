/** Options every otpctl command takes. */
import type { Argv } from 'yargs';

export interface GlobalArguments {
  /** Print one JSON document instead of text. */
  json: boolean;
  /** The users.oath store; else $OTPD_STORE, else the configuration's `store`. */
  store?: string;
  /** The configuration file; else $OTPD_CONFIG, else /etc/otpd/otpd.conf. */
  config?: string;
}

/** Declares the global options on the top-level parser. */
export function withGlobalOptions<T>(yargs: Argv<T>): Argv<T & GlobalArguments> {
  return yargs
    .option('json', { type: 'boolean', default: false, global: true, describe: 'print one JSON document' })
    .option('store', { type: 'string', global: true, describe: 'users.oath store (or $OTPD_STORE; default: from the config)' })
    .option('config', { type: 'string', global: true, describe: 'configuration file (or $OTPD_CONFIG; default /etc/otpd/otpd.conf)' }) as Argv<
    T & GlobalArguments
  >;
}
