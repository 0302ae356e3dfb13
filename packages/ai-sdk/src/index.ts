export { type LoadUIMessagesOptions, loadUIMessages, type UIMessagePage } from "./load-ui-messages.ts";
export { assertUIMessage, type SaveUIMessageResult, saveUIMessage } from "./save-ui-message.ts";
export { MESSAGE_START_KIND, UI_EXTRA } from "./stored-extra.ts";
