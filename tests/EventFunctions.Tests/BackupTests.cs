using Azure.Data.Tables;
using EventFunctions.Backup;
using EventFunctions.Tests.Infrastructure;

namespace EventFunctions.Tests;

/// <summary>docs/backup.md's tool: a backup of the app's tables restores exactly what was there, types included.</summary>
[Collection(StorageCollection.Name)]
public sealed class BackupTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_backup_restores_every_entity_with_its_types_after_the_table_is_lost()
    {
        await using var app = await TestApp.StartAsync(azurite.ConnectionString, withSendGrid: false);
        var lecture = await app.CreateEventAsync(Seed.Lecture(capacity: 1));
        await Kit.SignUpAsync(app, lecture.Id, "李莹晖", $"b1-{Guid.NewGuid():N}@example.cn", "13812345678");
        await Kit.SignUpAsync(app, lecture.Id, "王磊", $"b2-{Guid.NewGuid():N}@example.cn", null); // waitlisted
        var table = await app.TableAsync();
        await table.UpsertEntityAsync(new TableEntity("types", "all")
        {
            ["Text"] = "白玉兰广场 42 楼", ["Flag"] = true, ["Small"] = 42, ["Big"] = long.MaxValue - 1, ["Real"] = 0.1 + 0.2,
            ["When"] = new DateTimeOffset(2026, 12, 5, 6, 0, 0, 123, TimeSpan.Zero), ["Id"] = Guid.NewGuid(), ["Bytes"] = new byte[] { 0, 1, 254, 255 },
        });
        var before = await AllAsync(table);

        var folder = Directory.CreateTempSubdirectory("backup").FullName;
        try
        {
            var service = new TableServiceClient(azurite.ConnectionString);
            var output = new StringWriter();
            var backedUp = await new TableBackup(service, output).BackupAsync(folder, [app.TableName], default);
            Assert.Equal(before.Count, backedUp[app.TableName]);
            Assert.True(File.Exists(Path.Combine(folder, TableBackup.Manifest)));

            await table.DeleteAsync();
            var restored = await new TableBackup(service, output).RestoreAsync(folder, null, default);
            Assert.Equal(before.Count, restored[app.TableName]);

            var after = await AllAsync(table);
            Assert.Equal(before.Keys.Order(), after.Keys.Order());
            foreach (var (key, entity) in before)
            {
                var back = after[key];
                Assert.Equal(entity.Keys.Where(k => k is not ("Timestamp" or "odata.etag")).Order(), back.Keys.Where(k => k is not ("Timestamp" or "odata.etag")).Order());
                foreach (var property in entity.Keys.Where(k => k is not ("Timestamp" or "odata.etag")))
                {
                    var (a, b) = (entity[property], back[property]);
                    if (a is byte[] ab) Assert.Equal(ab, (byte[])b);
                    else if (a is BinaryData ad) Assert.Equal(ad.ToArray(), ((BinaryData)b).ToArray());
                    else Assert.Equal(a, b);
                }
            }

            // The app reads the restored event and its registrations as before.
            Assert.Equal(1, (await app.Get<Shared.Events.EventService>().FindAsync(lecture.Id, default))!.Confirmed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Dictionary<string, TableEntity>> AllAsync(TableClient table)
    {
        var all = new Dictionary<string, TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>()) all[e.PartitionKey + "|" + e.RowKey] = e;
        return all;
    }
}
