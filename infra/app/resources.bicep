// The resources inside the resource group. Written directly (no registry modules: they cannot be
// restored in every build environment, and `bicep build` must work offline).
param location string
param tags object
@minLength(13)
param resourceToken string
@secure()
param sendGridApiKey string
param emailFromAddress string
param sendGridWebhookPublicKey string
param publicBaseUrl string
param principalId string
@secure()
param signingKey string
@secure()
param identifierKey string
param alertEmail string
@description('Availability-test locations that probe /api/health (ids differ per cloud, e.g. apac-hk-hkn-azr in global Azure). Empty: no probe.')
param healthProbeLocations array = []
param consoleAdmins string
param signInClientId string
param signInTenantId string

var functionAppName = 'func-${resourceToken}'
var deploymentContainer = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${resourceToken}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false // identity only
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource eventsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: 'events'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource confirmationsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'confirmations'
}

resource confirmationsPoison 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'confirmations-poison'
}

resource notificationsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'notifications'
}

resource notificationsPoison 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'notifications-poison'
}

// Secrets live in Key Vault (RBAC, soft delete, purge protection); the app reads them as Key Vault references
// through its identity, so no secret is an app setting's value.
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource sendGridSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'sendgrid-api-key'
  properties: { value: sendGridApiKey, contentType: 'SendGrid API key' }
}

resource signingKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'signing-key-0'
  properties: { value: signingKey, contentType: 'Signing key 0 (rotates: docs/keys.md)' }
}

resource identifierKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'identifier-key'
  properties: { value: identifierKey, contentType: 'Identifier key (never changes)' }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true // telemetry through the identity, no instrumentation key auth
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: 40
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    dependsOn: [ secretsUser ]
    properties: union({
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      ConfirmationSweepSchedule: '0 */5 * * * *'
      ReminderSchedule: '0 */5 * * * *'
      HoldSweepSchedule: '0 * * * * *'
      EventFunctions__Email__Mode: 'SendGrid'
      EventFunctions__Email__SendGridApiKey: '@Microsoft.KeyVault(SecretUri=${sendGridSecret.properties.secretUri})'
      EventFunctions__Email__FromAddress: emailFromAddress
      EventFunctions__Email__WebhookPublicKey: sendGridWebhookPublicKey
      // Versionless references: a new secret version is picked up within a day, or at once on restart.
      EventFunctions__SigningKey: '@Microsoft.KeyVault(SecretUri=${signingKeySecret.properties.secretUri})'
      EventFunctions__IdentifierKey: '@Microsoft.KeyVault(SecretUri=${identifierKeySecret.properties.secretUri})'
      EventFunctions__Console__Admins: consoleAdmins
      // The console trusts X-MS-CLIENT-PRINCIPAL only where App Service Authentication (below) sets it.
      EventFunctions__Console__PlatformAuthentication: empty(signInClientId) ? 'false' : 'true'
      // The platform's front end adds each client's address to X-Forwarded-For: the rate limits count by it.
      EventFunctions__Limits__TrustForwardedFor: 'true'
    }, empty(publicBaseUrl) ? {} : {
      // Unset, the app builds links from WEBSITE_HOSTNAME, the host name the platform gives it in any cloud.
      EventFunctions__PublicBaseUrl: publicBaseUrl
    })
  }

  // App Service Authentication ("Easy Auth") with Microsoft Entra ID for the organisers' console. Participants'
  // pages stay public (unauthenticated requests go through; the app decides per route), and the platform strips any
  // X-MS-CLIENT-PRINCIPAL a client sends. Only when an app registration's client id is given.
  resource auth 'config' = if (!empty(signInClientId)) {
    name: 'authsettingsV2'
    properties: {
      platform: { enabled: true }
      globalValidation: {
        requireAuthentication: false
        unauthenticatedClientAction: 'AllowAnonymous'
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: true
          registration: {
            clientId: signInClientId
            openIdIssuer: '${environment().authentication.loginEndpoint}${empty(signInTenantId) ? tenant().tenantId : signInTenantId}/v2.0'
          }
          validation: {
            allowedAudiences: [ 'api://${signInClientId}' ]
          }
        }
      }
      login: {
        tokenStore: { enabled: false }
      }
    }
  }
}

// Role assignments: named guid(scope, principal, role) so redeploys are idempotent.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource userTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(storage.id, principalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'User'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

// ---- Alerts: what an operator must hear about without watching a dashboard ----
resource alertGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'eventfn'
    enabled: true
    emailReceivers: [ { name: 'operator', emailAddress: alertEmail, useCommonAlertSchema: true } ]
  }
}

var alertActions = empty(alertEmail) ? [] : [ alertGroup.id ]

// The Functions host logs each message it moves to a poison queue; one is enough to alert.
resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-poison-${resourceToken}'
  location: location
  tags: tags
  properties: {
    displayName: 'EventFunctions: messages moved to a poison queue'
    description: 'A confirmation or notification failed every retry. Open the console\'s failures page, fix the cause, replay (docs/operations.md).'
    severity: 2
    enabled: true
    scopes: [ insights.id ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'union traces, customMetrics | where (itemType == "trace" and message has "-poison" and message has "MaxDequeueCount") or (name == "eventfunctions.poison.messages" and value > 0)'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: alertActions }
  }
}

// Sends failing (SendGrid down, a revoked key, a rejected sender): more than a few in 15 minutes.
resource failedSendsAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-sends-${resourceToken}'
  location: location
  tags: tags
  properties: {
    displayName: 'EventFunctions: emails failing'
    description: 'Email sends are failing (eventfunctions.emails.failed, by reason). Check the SendGrid key and account (docs/operations.md).'
    severity: 2
    enabled: true
    scopes: [ insights.id ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "eventfunctions.emails.failed" | summarize Failed = sum(valueSum)'
          timeAggregation: 'Total'
          metricMeasureColumn: 'Failed'
          operator: 'GreaterThan'
          threshold: 5
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: alertActions }
  }
}

// An availability test on the health route, where the cloud offers one (the locations are the operator's choice).
var healthUrl = empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}/api/health' : '${publicBaseUrl}/api/health'
resource healthProbe 'Microsoft.Insights/webtests@2022-06-15' = if (!empty(healthProbeLocations)) {
  name: 'health-${resourceToken}'
  location: location
  tags: union(tags, { 'hidden-link:${insights.id}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'health-${resourceToken}'
    Name: 'health'
    Kind: 'standard'
    Enabled: true
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [for l in healthProbeLocations: { Id: l }]
    Request: { RequestUrl: healthUrl, HttpVerb: 'GET', ParseDependentRequests: false }
    ValidationRules: { ExpectedHttpStatusCode: 200, SSLCheck: true, SSLCertRemainingLifetimeCheck: 7 }
  }
}

resource healthAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = if (!empty(healthProbeLocations)) {
  name: 'alert-health-${resourceToken}'
  location: location
  tags: tags
  properties: {
    displayName: 'EventFunctions: health probe failing'
    description: 'GET /api/health did not answer 200 (storage unreachable: the check that failed is named in the answer).'
    severity: 1
    enabled: true
    scopes: [ insights.id ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'availabilityResults | where name == "health" and success == false'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 1
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: alertActions }
  }
}

output functionAppName string = functionApp.name
output functionAppUri string = 'https://${functionApp.properties.defaultHostName}'
output storageAccountName string = storage.name
output keyVaultName string = vault.name
