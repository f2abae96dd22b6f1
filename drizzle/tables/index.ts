export * from './badges.ts';
export * from './communities.ts';
export * from './districts.ts';
export * from './live-series.ts';
export * from './live-sessions.ts';
export * from './notifications.ts';
export * from './threads.ts';
export * from './users.ts';
