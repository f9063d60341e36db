// One upload (SPEC §9, tus): HEAD asks how many bytes the server has, PATCH sends more from there, DELETE
// cancels the transfer. Core authorises each request from its cookies (services.files.handleTus).
import { tus } from '#lib/server/fileRoutes.ts';

export const HEAD = tus;
export const PATCH = tus;
export const DELETE = tus;
export const OPTIONS = tus;
