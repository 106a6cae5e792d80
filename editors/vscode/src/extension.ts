// The psyc extension: starts `psyc lsp` (over stdio) for .psy files and hands it the
// editor features; highlighting comes from the TextMate grammar in syntaxes/.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("psyc");
  const command = config.get<string[]>("server.command", ["psyc", "lsp"]);
  const [exe, ...args] = command.length > 0 ? command : ["psyc", "lsp"];
  return { command: exe, args, transport: TransportKind.stdio };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "psy" }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.psy,psy.toml}"),
    },
  };
  client = new LanguageClient("psyc", "psyc", serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (err) {
    void vscode.window.showErrorMessage(
      `psyc: could not start the language server (${String(err)}). ` +
        "Install it with `pip install 'psyc[editor]'` or set `psyc.server.command`.",
    );
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("psyc.restartServer", async () => {
      await client?.stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("psyc.server")) {
        await client?.stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
