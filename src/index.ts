/** carewindow as a library: the pure policy engine. */
export * from './domain/index.js'
