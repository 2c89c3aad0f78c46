// The webview side of a panel's typed message protocol: post host-bound messages, receive host messages, keep state.
interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export function connect<WebviewMessage, HostMessage extends { type: string }, State = unknown>(isHostMessage: (m: unknown) => m is HostMessage) {
  const api = acquireVsCodeApi<State>();
  return {
    post: (message: WebviewMessage) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (s: State) => api.setState(s),
    /** Only messages that pass the protocol's validation reach the handler. */
    onMessage(handler: (m: HostMessage) => void) {
      window.addEventListener('message', (e: MessageEvent) => {
        if (isHostMessage(e.data)) handler(e.data);
        else console.warn('PreMem webview: ignored a malformed message', e.data);
      });
    },
  };
}
