using System.Linq.Expressions;
using System.Reflection;
using Azure.Data.Tables;

namespace EventFunctions.Shared.Storage;

/// <summary>
/// A new row as it is inserted: only the properties that differ from a fresh entity's. The SDK sends every property
/// of a typed entity, nulls and zeros included (a new registration carried 15 of its 33 properties empty); storage
/// parses and keeps each of them. Read back, a missing property takes its default, so the row reads the same.
/// Only for inserts: a merge must name what it changes, and a replace must not drop what it does not name.
/// </summary>
public static class LeanRow<T> where T : class, ITableEntity, new()
{
    private static readonly (string Name, Func<T, object?> Get, object? Default)[] Properties = Build();

    public static TableEntity ForInsert(T row)
    {
        var entity = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, get, fallback) in Properties)
        {
            var value = get(row);
            if (value is null || Equals(value, fallback)) continue;
            entity[name] = value;
        }

        return entity;
    }

    private static (string, Func<T, object?>, object?)[] Build()
    {
        var fresh = new T();
        return typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p is { CanRead: true, CanWrite: true } && p.GetIndexParameters().Length == 0
                && p.Name is not (nameof(ITableEntity.PartitionKey) or nameof(ITableEntity.RowKey) or nameof(ITableEntity.Timestamp) or nameof(ITableEntity.ETag))
                && p.GetCustomAttribute<System.Runtime.Serialization.IgnoreDataMemberAttribute>() is null)
            .Select(p => (p.Name, Getter(p), p.GetValue(fresh)))
            .ToArray();
    }

    private static Func<T, object?> Getter(PropertyInfo p)
    {
        var row = Expression.Parameter(typeof(T));
        return Expression.Lambda<Func<T, object?>>(Expression.Convert(Expression.Property(row, p), typeof(object)), row).Compile();
    }
}
