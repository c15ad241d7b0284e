// A bad command-line option or data folder: `npm run train` prints its message and exits with status 2.
export class CliError extends Error {}
