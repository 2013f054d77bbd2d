using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace EventFunctions.Shared.Web;

/// <summary>Renders Razor components to HTML strings (pages and email bodies): compiled, typed, escaped by default.</summary>
public sealed class PageRenderer(HtmlRenderer renderer)
{
    public Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent =>
        renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return "<!DOCTYPE html>\n" + output.ToHtmlString();
        });
}
