// Backup and restore of EventFunctions' tables (docs/backup.md).
//   backup  --folder DIR [--table NAME ...]  (--connection-string CS | --account-url https://…)
//   restore --folder DIR [--table NAME ...]  (--connection-string CS | --account-url https://…)
// With --account-url it signs in as you (Azure CLI, environment, managed identity): you need the
// "Storage Table Data Contributor" role (restore) or "Storage Table Data Reader" (backup) on the account.
using Azure.Data.Tables;
using Azure.Identity;
using EventFunctions.Backup;

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var tables = args.Select((a, i) => (a, i)).Where(x => x.a == "--table" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToList();
var command = args.FirstOrDefault();
var folder = Arg("--folder");
var connection = Arg("--connection-string");
var accountUrl = Arg("--account-url");
if (command is not ("backup" or "restore") || folder is null || (connection is null) == (accountUrl is null))
{
    Console.Error.WriteLine("usage: EventFunctions.Backup backup|restore --folder DIR [--table NAME ...] (--connection-string CS | --account-url https://<account>.table.<cloud suffix>)");
    return 2;
}

var service = connection is not null ? new TableServiceClient(connection) : new TableServiceClient(new Uri(accountUrl!), new DefaultAzureCredential());
var backup = new TableBackup(service, Console.Out);
var counts = command == "backup"
    ? await backup.BackupAsync(folder, tables, CancellationToken.None)
    : await backup.RestoreAsync(folder, tables, CancellationToken.None);
Console.WriteLine($"{command}: {counts.Count} tables, {counts.Values.Sum()} entities");
return 0;
