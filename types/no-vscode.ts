// tsconfig.core.json and webview/tsconfig.json resolve the module 'vscode' to this file, so that importing the
// VS Code API fails to compile where it must not be used: src/core runs in the CLI, the tests and the webviews,
// and webview code runs in a browser. Whatever uses the import fails too (this module exports nothing).
const vscodeIsNotAvailableHere: never = 'src/core and webview/ must not import vscode: move that code to src/extension/';
export {};
