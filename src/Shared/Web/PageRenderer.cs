using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;

namespace EventFunctions.Shared.Web;

/// <summary>
/// Renders Razor components to HTML strings (pages and email bodies): compiled, typed, escaped by default.
/// An <see cref="HtmlRenderer"/> keeps every component it has rendered until it is disposed, so each render
/// gets its own, disposed when the HTML is out: nothing outlives the render, and renders run side by side.
/// The renderer takes the app's <c>HtmlEncoder</c> (all Unicode ranges) from <paramref name="services"/>,
/// so Chinese stays text rather than numeric entities.
/// </summary>
public sealed class PageRenderer(IServiceProvider services, ILoggerFactory loggerFactory)
{
    public async Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggerFactory);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return "<!DOCTYPE html>\n" + output.ToHtmlString();
        });
    }
}
