// What the browsers may import from core: types and small pure helpers, nothing of the server.

export { formatSessionNumber, parseSessionNumber } from './session/sessionNumber.ts';
export { codePoints, CHAT_MAX, MESSAGE_MAX, PROBLEM_MAX, SURVEY_COMMENT_MAX } from './session/textLimits.ts';
export { isTranscriptLine, mergeLines, systemLineWords, type TranscriptKey } from './session/transcript.ts';
export { ChatOutbox, sendsOnEnter, typingNotices, type OutgoingLine } from './session/chatOutbox.ts';
export {
	cleanFileName,
	FILE_NAME_MAX,
	fileNameProblem,
	fileSizeLimitBytes,
	formatFileSize,
	type FileNameProblem,
} from './session/fileNames.ts';
export { downloadUrlOf, FILES_PATH, UPLOAD_CHUNK_BYTES, uploadUrlOf } from './files/fileAddresses.ts';
export { uploadFile, type TusUploadClass } from './files/sendFile.ts';
export { MAX_BATCH, mustComeAlone } from './trpc/batching.ts';
export type { SessionView, ParticipantView, FeedEvent, InvitationView, FileView, MarkView } from './feed/views.ts';
export type { RefusalCode, ParticipantRole, SessionStatus, Activity, FileStatus, FileCancelReason } from './session/model.ts';
export type { FileCapabilities } from './session/capabilities.ts';
export type { FilePart } from './session/fileAccess.ts';
export type { ErrorCode } from './refusal.ts';
export type { InputIssue } from './trpc/inputIssue.ts';
export type { RepProfile } from './auth/repAccounts.ts';
export type { WebhookView } from './webhooks/webhooks.ts';
export { siteSettingRanges, repMaxCustomersRange, repAgentCapacityRange, type Range, type NumericSiteSetting } from './admin/ranges.ts';
export type { SiteSettings } from './service/repLoad.ts';
export type { LineItem } from './trpc/routers/feed.ts';
export type { OfferView } from './service/acd.ts';
export type { SupervisorView, SupervisedSession, SupervisedQueue, SupervisedAgent, SupervisedActivity } from './service/supervision.ts';
export type { AuditStatus } from './audit/auditService.ts';
export type { AuditVerification, BrokenLink, AuditProblem } from './audit/verifyAudit.ts';
export { POINTER_EVENT, type PointerDetail } from './media/pointerEvent.ts';
export { rovingIndex, type Orientation } from './keyboard/rovingFocus.ts';
