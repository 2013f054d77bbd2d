using System.Text.Encodings.Web;
using System.Text.Unicode;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using EventFunctions.Shared.Confirmations;
using EventFunctions.Shared.Events;
using EventFunctions.Shared.Http;
using EventFunctions.Shared.Ledger;
using EventFunctions.Shared.Registrations;
using EventFunctions.Shared.Storage;
using EventFunctions.Shared.Web;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SendGrid;
using SendGrid.Helpers.Reliability;

namespace EventFunctions.Shared;

public static class ServiceCollectionExtensions
{
    /// <summary>Everything src/Shared provides, for the function app's Program.cs.</summary>
    public static IHostApplicationBuilder AddEventFunctions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEventFunctions(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Registers the services, the Azure clients (once), the email transport and the HTML renderer.
    /// Storage: <c>AzureWebJobsStorage</c> as a connection string (Azurite locally), or, in Azure,
    /// <c>AzureWebJobsStorage__tableServiceUri</c> / <c>__queueServiceUri</c> with a managed identity
    /// (<c>AzureWebJobsStorage__clientId</c> for a user-assigned one).
    /// </summary>
    public static IServiceCollection AddEventFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        // Settings are checked at start-up (one validator per area, see Hosting/SettingsValidators.cs): outside
        // Development a missing or unsafe setting stops the app with one line per problem.
        services.TryAddSingleton<Hosting.AppEnvironment>();
        services.AddOptions<EventFunctionsOptions>().Bind(configuration.GetSection(EventFunctionsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<EventFunctionsOptions>, Hosting.PublicBaseUrlDefault>();
        services.AddSingleton<IValidateOptions<EventFunctionsOptions>, Hosting.EmailSettingsValidator>();
        services.AddSingleton<IValidateOptions<EventFunctionsOptions>, Hosting.SigningSettingsValidator>();
        services.AddSingleton<IValidateOptions<EventFunctionsOptions>, Hosting.LinkSettingsValidator>();
        services.AddSingleton<IValidateOptions<EventFunctionsOptions>, Hosting.ConsoleSettingsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(configuration);
        // The JSON the functions' results are written with (camelCase, enums as names, Chinese unescaped).
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => Json.Apply(o.JsonSerializerOptions));
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o => Json.Apply(o.SerializerOptions));
        services.AddLogging();

        var storage = configuration.GetSection("AzureWebJobsStorage");
        services.AddAzureClients(clients =>
        {
            if (!string.IsNullOrWhiteSpace(storage.Value))
            {
                clients.AddTableServiceClient(storage.Value).ConfigureOptions(o => ConfigureRetry(o.Retry));
                clients.AddQueueServiceClient(storage.Value).ConfigureOptions(o =>
                {
                    o.MessageEncoding = QueueMessageEncoding.Base64; // what the queue trigger expects by default
                    ConfigureRetry(o.Retry);
                });
            }
            else
            {
                var tableUri = storage["tableServiceUri"] ?? throw new InvalidOperationException(
                    "Set AzureWebJobsStorage (a connection string; UseDevelopmentStorage=true for Azurite) or AzureWebJobsStorage__tableServiceUri and __queueServiceUri.");
                var queueUri = storage["queueServiceUri"] ?? throw new InvalidOperationException("Set AzureWebJobsStorage__queueServiceUri.");
                clients.AddTableServiceClient(new Uri(tableUri)).ConfigureOptions(o => ConfigureRetry(o.Retry));
                clients.AddQueueServiceClient(new Uri(queueUri)).ConfigureOptions(o =>
                {
                    o.MessageEncoding = QueueMessageEncoding.Base64;
                    ConfigureRetry(o.Retry);
                });
                var clientId = storage["clientId"];
                clients.UseCredential(clientId is null ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned) : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)));
            }
        });

        services.AddSingleton<EventStore>();
        services.AddSingleton<EventService>();
        services.AddSingleton<EventLedger>();
        services.AddSingleton<RegistrationService>();
        services.AddSingleton<Series.SeriesService>();
        services.AddSingleton<Admission.NoShowHistory>();
        services.AddSingleton<Admission.LotteryService>();
        services.AddSingleton<ConfirmationQueue>();
        services.AddSingleton<RecipientCaps>();
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<Http.PublicLimits>();
        services.AddSingleton<Notifications.NoticeComposer>();
        services.AddSingleton<ConfirmationSender>();
        services.AddSingleton<RetentionService>();
        services.AddSingleton<OrganiserApi>();
        services.AddSingleton<Security.Signer>();
        services.AddSingleton<Security.FormTokens>();
        services.AddSingleton<Security.IdentifierKeys>();
        services.AddSingleton<Links>();
        services.AddSingleton<Console.OrganiserDirectory>();
        services.AddSingleton<Units.UnitDirectory>();
        services.AddSingleton<Units.UnitLinks>();
        services.AddSingleton<Units.UnitMail>();
        services.AddSingleton<Console.AuditLog>();
        services.AddSingleton<Console.ConsoleAuth>();
        services.AddSingleton<Console.ConsoleQueries>();
        // The console: one policy in front of every route, the routes in feature files (Http/Console).
        services.AddSingleton<ConsolePolicy>();
        services.AddSingleton<ConsoleEventPages>();
        services.AddSingleton<ConsoleSignInApi>();
        services.AddSingleton<ConsoleEventsApi>();
        services.AddSingleton<ConsolePeopleApi>();
        services.AddSingleton<ConsoleReportsApi>();
        services.AddSingleton<ConsoleOrganisersApi>();
        services.AddSingleton<ConsoleUnitsApi>();
        services.AddSingleton<ConsoleInvitationApi>();
        services.AddSingleton<ConsoleApprovalApi>();
        services.AddSingleton<ConsoleVolunteerApi>();
        services.AddSingleton<ConsoleSeriesApi>();
        services.AddSingleton<UnitContactApi>();
        services.AddSingleton<SignUpApi>();
        services.AddSingleton<Listings.PublicCalendar>();
        services.AddSingleton<CalendarApi>();
        services.AddSingleton<SeriesApi>();
        services.AddSingleton<LotteryApi>();
        services.AddSingleton<Feedback.FeedbackService>();
        services.AddSingleton<AfterEventApi>();
        services.AddSingleton<Notifications.NotificationQueue>();
        services.AddSingleton<Notifications.NotificationSender>();
        services.AddSingleton<Notifications.NotificationSweep>();
        services.AddSingleton<Notifications.ResendService>();
        services.AddSingleton<Delivery.DeliveryRecorder>();
        services.AddSingleton<Delivery.DeliveryWebhook>();
        services.AddSingleton<Attendance.DoorLinks>();
        services.AddSingleton<Attendance.AttendanceService>();
        services.AddSingleton<Attendance.CsvExport>();
        services.AddSingleton<Volunteering.VolunteerHours>();
        services.AddSingleton<Attendance.DoorApi>();
        services.AddSingleton<Operations.QueueFailures>();
        services.AddSingleton<Operations.PoisonQueues>();
        services.AddSingleton<OperationsApi>();
        services.AddSingleton<OpenApiApi>();
        // The health route's checks: each with a deadline, so storage that stalls answers "unhealthy" in seconds.
        services.AddHealthChecks()
            .AddCheck<Operations.TableHealthCheck>("tables", timeout: TimeSpan.FromSeconds(5))
            .AddCheck<Operations.QueueHealthCheck>("queues", timeout: TimeSpan.FromSeconds(5));

        // Chinese text stays Chinese in pages and emails (the default encoder turns it into &#x...; entities).
        services.TryAddSingleton(HtmlEncoder.Create(UnicodeRanges.All));
        services.TryAddSingleton<PageRenderer>();

        services.AddSingleton<ISendGridClient>(sp =>
        {
            var email = sp.GetRequiredService<IOptions<EventFunctionsOptions>>().Value.Email;
            return new SendGridClient(new SendGridClientOptions
            {
                ApiKey = email.SendGridApiKey ?? "not-configured",
                Host = email.SendGridHost,
                // SendGrid's own retries for 5xx and timeouts; a failure after them returns the queue message.
                ReliabilitySettings = new ReliabilitySettings(2, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500)),
            });
        });
        services.AddSingleton<SendGridEmailTransport>();
        services.AddSingleton<OutboxEmailTransport>();
        services.AddSingleton<IEmailTransport>(sp =>
            sp.GetRequiredService<IOptions<EventFunctionsOptions>>().Value.Email.UsesSendGrid
                ? sp.GetRequiredService<SendGridEmailTransport>()
                : sp.GetRequiredService<OutboxEmailTransport>());
        return services;
    }

    private static void ConfigureRetry(RetryOptions retry)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = 3;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.MaxDelay = TimeSpan.FromSeconds(2);
        retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}
