// electron-log/main imports `electron` itself; under test it is replaced by electron-log/node's
// logger (the same Logger class, file transport and hooks), with the Electron-only parts stubbed.
import electronLog from 'electron-log/node';
import type { MainLogger } from 'electron-log';

const logger = electronLog.create({ logId: 'ekiden-test-main' }) as unknown as MainLogger;
export const initializeCalls: unknown[] = [];
logger.initialize = (options?: unknown) => {
  initializeCalls.push(options);
};
logger.errorHandler = { handle() {}, setOptions() {}, startCatching() {}, stopCatching() {} };
logger.eventLogger = { ...logger.eventLogger, startLogging() {}, stopLogging() {} };

export const mainLogger = logger;
