using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace EventFunctions.Tests.Infrastructure;

/// <summary>Queue chores the test hosts share.</summary>
public static class Queues
{
    /// <summary>Takes every message off <paramref name="queue"/>, decoded as a queue trigger would hand it over.</summary>
    public static async Task<List<string>> DrainAsync(QueueClient queue)
    {
        var messages = new List<string>();
        while (true)
        {
            QueueMessage[] batch = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5));
            if (batch.Length == 0) return messages;
            foreach (var m in batch)
            {
                messages.Add(m.Body.ToString()); // the client decodes Base64, as the trigger does
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        }
    }

    /// <summary>Creates the app's fixed-name queues if needed and empties them (a host under test listens on them).</summary>
    public static async Task ClearAsync(string connectionString, params string[] names)
    {
        foreach (var name in names)
        {
            var q = new QueueClient(connectionString, name);
            await q.CreateIfNotExistsAsync();
            await q.ClearMessagesAsync();
        }
    }
}
