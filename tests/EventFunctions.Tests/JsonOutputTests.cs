using System.Text;
using EventFunctions.Shared;
using EventFunctions.Shared.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EventFunctions.Tests;

/// <summary>The JSON an IActionResult writes, executed as the Functions ASP.NET Core integration executes it.</summary>
public sealed class JsonOutputTests
{
    [Fact]
    public async Task Results_are_written_with_the_apps_json_options()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        }).Build();
        await using var services = new ServiceCollection().AddMvcCore().Services.AddEventFunctions(configuration).BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();

        var counts = new EventCounts(1, 2, 3);
        var result = new OkObjectResult(new { kind = EventKind.SiteVisit, title = "上海供水", venue = (string?)null, counts });
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        var json = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Equal("{\"kind\":\"siteVisit\",\"title\":\"上海供水\",\"counts\":{\"confirmed\":1,\"waitlisted\":2,\"seatsLeft\":3,\"held\":0}}", json);
    }
}
