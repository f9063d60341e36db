export * from './schema.ts';
export { openDatabase, migrationsFolder, type Database, type DatabaseHandle, type DatabaseOptions } from './database.ts';
