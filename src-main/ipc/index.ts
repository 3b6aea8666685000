// The IPC contract's public surface (renderer-safe: no Node imports).
export * from './channels';
export * from './contract';
export * from './envelope';
export * from './state-patch';
export type * from './types';
