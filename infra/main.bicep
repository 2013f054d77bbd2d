// EventFunctions on Azure: a Flex Consumption function app with a user-assigned identity,
// one storage account (tables, queues, deployment package) reached only by that identity
// (shared keys off), a Key Vault holding its secrets (read as Key Vault references), and
// Application Insights on a Log Analytics workspace with alerts on poison messages and failed
// sends. Deployed with `azd up` (see azure.yaml and docs/deploying.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name and tag resources.')
param environmentName string

@minLength(1)
@description('Azure region, e.g. chinaeast2 (Azure operated by 21Vianet) or eastasia.')
param location string

@secure()
@minLength(1)
@description('SendGrid API key for the emails (stored in Key Vault). The app does not start without it.')
param sendGridApiKey string

@minLength(3)
@description('Sender address for the emails: a SendGrid verified sender of the office\'s own domain.')
param emailFromAddress string

@minLength(1)
@description('Verification key of SendGrid\'s Signed Event Webhook (base64, a public key). The app does not start without it.')
param sendGridWebhookPublicKey string

@description('Public base URL of every link (https://…, e.g. a custom domain). Empty: the app uses its own host name in whichever cloud it runs.')
param publicBaseUrl string = ''

@description('Email address told of alerts (poison messages, failed sends, a failing health probe). Empty: alerts fire without notifying anyone.')
param alertEmail string = ''

@description('Availability-test locations probing GET /api/health every 5 minutes (ids differ per cloud; e.g. ["apac-hk-hkn-azr", "apac-sg-sin-azr"] in global Azure). Empty: no probe.')
param healthProbeLocations array = []

@description('Object id of a person to grant data access to the storage account (for azd and debugging). Optional.')
param principalId string = ''

@secure()
@minLength(32)
@description('The first signing key (id 0) for door-staff links and anti-forgery tokens, stored in Key Vault. azd reads it back from the vault on every provision (main.parameters.json), so redeploying keeps it; see docs/keys.md to rotate.')
param signingKey string

@secure()
@minLength(32)
@description('The identifier key (stored row keys and ticket codes derive from it), stored in Key Vault. Set once and never changed: azd reads it back from the vault on every provision.')
param identifierKey string

@description('Emails of the street office\'s first console admins, comma-separated.')
param consoleAdmins string = ''

@description('Client id of a Microsoft Entra app registration for the organisers\' console sign-in (App Service Authentication). Empty: no sign-in configured.')
param signInClientId string = ''

@description('Tenant of that app registration; the deployment\'s tenant when empty.')
param signInTenantId string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module app 'app/resources.bicep' = {
  name: 'resources'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    sendGridApiKey: sendGridApiKey
    emailFromAddress: emailFromAddress
    sendGridWebhookPublicKey: sendGridWebhookPublicKey
    publicBaseUrl: publicBaseUrl
    principalId: principalId
    signingKey: signingKey
    identifierKey: identifierKey
    alertEmail: alertEmail
    healthProbeLocations: healthProbeLocations
    consoleAdmins: consoleAdmins
    signInClientId: signInClientId
    signInTenantId: signInTenantId
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output SERVICE_API_URI string = app.outputs.functionAppUri
output AZURE_STORAGE_ACCOUNT_NAME string = app.outputs.storageAccountName
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName
