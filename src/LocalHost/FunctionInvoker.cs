using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace EventFunctions.LocalHost;

/// <summary>What a trigger hands to a function: the values its parameters may bind to.</summary>
public sealed class TriggerInput
{
    public HttpContext? Http { get; init; }
    /// <summary>A queue message's text, bound to the parameter named like the trigger binding.</summary>
    public string? Message { get; init; }
    public TimerInfo? Timer { get; init; }
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>
/// Finds a function's method from its metadata entry point, builds its class from the app's services
/// (as the worker does, a new instance per invocation) and binds its parameters.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly FunctionMetadata _function;
    private readonly MethodInfo _method;
    private readonly Func<TriggerInput, FunctionContext, object?>[] _binders;
    private readonly ObjectFactory _factory;

    public FunctionInvoker(FunctionMetadata function, Assembly assembly)
    {
        _function = function;
        var split = function.EntryPoint.LastIndexOf('.');
        var type = assembly.GetType(function.EntryPoint[..split])
            ?? throw new InvalidOperationException($"{function.Name}: type of entry point {function.EntryPoint} not found in {assembly.GetName().Name}.");
        _method = type.GetMethod(function.EntryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{function.Name}: method of entry point {function.EntryPoint} not found.");
        _factory = ActivatorUtilities.CreateFactory(type, []);
        _binders = _method.GetParameters().Select(p => Binder(function, p)).ToArray();
    }

    public FunctionMetadata Function => _function;

    public async Task<object?> InvokeAsync(IServiceProvider services, TriggerInput input)
    {
        var context = new LocalFunctionContext(_function, services, input.CancellationToken);
        var instance = _method.IsStatic ? null : _factory(services, []);
        try
        {
            var arguments = _binders.Select(b => b(input, context)).ToArray();
            object? result;
            try
            {
                result = _method.Invoke(instance, arguments);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }

            return result switch
            {
                Task task => await Unwrap(task),
                _ => result,
            };
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable a: await a.DisposeAsync(); break;
                case IDisposable d: d.Dispose(); break;
            }
        }
    }

    /// <summary>Runs an HTTP function and writes its result as the ASP.NET Core integration does.</summary>
    public async Task InvokeHttpAsync(HttpContext http)
    {
        var result = await InvokeAsync(http.RequestServices, new TriggerInput { Http = http, CancellationToken = http.RequestAborted });
        switch (result)
        {
            case IActionResult action:
                await action.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult minimal:
                await minimal.ExecuteAsync(http);
                break;
            case null:
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                throw new NotSupportedException($"{_function.Name} returned {result.GetType().Name}; this host writes IActionResult or IResult.");
        }
    }

    private static async Task<object?> Unwrap(Task task)
    {
        await task;
        var type = task.GetType();
        return type.IsGenericType && type.GetGenericArguments()[0].Name != "VoidTaskResult"
            ? type.GetProperty("Result")!.GetValue(task)
            : null;
    }

    private static Func<TriggerInput, FunctionContext, object?> Binder(FunctionMetadata function, ParameterInfo p)
    {
        var trigger = function.Trigger;
        if (p.ParameterType == typeof(HttpRequest) && trigger.Type == Supported.Http) return (i, _) => i.Http!.Request;
        if (p.ParameterType == typeof(HttpContext) && trigger.Type == Supported.Http) return (i, _) => i.Http;
        if (p.ParameterType == typeof(FunctionContext)) return (_, c) => c;
        if (p.ParameterType == typeof(CancellationToken)) return (i, _) => i.CancellationToken;
        if (p.ParameterType == typeof(TimerInfo) && trigger.Type == Supported.Timer) return (i, _) => i.Timer;
        if (p.ParameterType == typeof(string) && trigger.Type == Supported.Queue && p.Name == trigger.Name) return (i, _) => i.Message;
        if (trigger.Type == Supported.Http && p.Name is { } name && (p.ParameterType == typeof(string) || Nullable.GetUnderlyingType(p.ParameterType) is not null || p.ParameterType.IsPrimitive))
        {
            // A route value, converted as the Functions host converts route parameters.
            return (i, _) =>
            {
                var value = i.Http!.GetRouteValue(name)?.ToString();
                if (value is null || p.ParameterType == typeof(string)) return value;
                var target = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
                return Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture);
            };
        }

        throw new NotSupportedException($"{function.Name}: cannot bind parameter '{p.Name}' of type {p.ParameterType.Name} for a {trigger.Type}.");
    }
}

/// <summary>The FunctionContext a function sees here: its name, id, services and cancellation.</summary>
internal sealed class LocalFunctionContext(FunctionMetadata function, IServiceProvider services, CancellationToken ct) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId => function.Name;
    public override TraceContext TraceContext { get; } = new LocalTraceContext();
    public override BindingContext BindingContext { get; } = new LocalBindingContext();
    public override RetryContext RetryContext => null!;
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException("FunctionDefinition is not available in the local host.");
    public override IDictionary<object, object> Items { get; set; } = new ConcurrentDictionary<object, object>();
    public override IInvocationFeatures Features => throw new NotSupportedException("Invocation features are not available in the local host.");
    public override CancellationToken CancellationToken { get; } = ct;

    private sealed class LocalTraceContext : TraceContext
    {
        public override string TraceParent => System.Diagnostics.Activity.Current?.Id ?? "";
        public override string TraceState => System.Diagnostics.Activity.Current?.TraceStateString ?? "";
    }

    private sealed class LocalBindingContext : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = new Dictionary<string, object?>();
    }
}
