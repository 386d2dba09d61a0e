/**
 * The process's logger, one way for `serve` and `worker`: pino at `LONGRUN_LOG_LEVEL`, written as
 * JSON lines (one object a line, for a log collector) or, with `LONGRUN_LOG_FORMAT=pretty` — the
 * default when stdout is a terminal — as readable coloured lines by pino-pretty.
 *
 * pino-pretty runs as a stream in this thread, not as a transport's worker thread: a person at a
 * terminal reads a few lines a second, and lines written in order with the process's own stdout
 * writes (the start banner) read better than a faster, separate writer.
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino, type DestinationStream } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import type { Config } from '../config.ts';

/** `destination`: where the lines go instead of stdout (tests read them). */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, destination?: DestinationStream): FastifyBaseLogger {
  const options = { level: config.logLevel };
  if (config.logFormat === 'json') return destination ? pino(options, destination) : pino(options);
  const pretty = prettyStream({
    destination: destination ?? 1,
    sync: true,
    colorize: destination ? false : undefined, // colour only where the terminal takes it
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true, // one event, one line: a request is two lines, not twenty
  });
  return pino(options, pretty);
}
