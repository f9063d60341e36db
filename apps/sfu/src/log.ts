/** One line per event on stderr: `sfu <level> <message> {fields}`. TANDEM_SFU_LOG=debug|info|warn|error|silent. */
const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof levels, 'silent'>;
const threshold = () => levels[(process.env.TANDEM_SFU_LOG as keyof typeof levels | undefined) ?? 'info'] ?? levels.info;

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
	if (levels[level] < threshold()) return;
	process.stderr.write(`sfu ${level} ${message}${fields ? ' ' + JSON.stringify(fields) : ''}\n`);
}

export const log = {
	debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
	info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
	warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
	error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};
