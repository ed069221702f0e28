/**
 * Khmer and Lao names of the default maintenance items and of the reminder stages. They live with the digest's
 * template (the renderer looks them up; the planner does not store them in the digest).
 */
export { ITEM_NAMES, STAGE_LABELS } from '../messaging/templates/service-reminder-labels';
