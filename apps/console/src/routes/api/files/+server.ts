// File uploads (SPEC §9), the tus resumable-upload protocol: a create (POST) names the offered file's id in
// its Upload-Metadata (`fileId`); the upload's address is then /console/api/files/<fileId>. Core authorises
// every request from its cookies and does the rest (services.files.handleTus).
import { tus } from '#lib/server/fileRoutes.ts';

export const POST = tus;
export const OPTIONS = tus;
