// EventFunctions on Azure: a Flex Consumption function app with a user-assigned identity,
// one storage account (tables, queues, deployment package) reached only by that identity
// (shared keys off), and Application Insights. Deployed with `azd up` (see azure.yaml).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name and tag resources.')
param environmentName string

@minLength(1)
@description('Azure region, e.g. chinaeast2 (Azure operated by 21Vianet) or eastasia.')
param location string

@secure()
@description('SendGrid API key for confirmation emails. Empty writes no emails (Outbox mode on an ephemeral disk): set it for real use.')
param sendGridApiKey string = ''

@description('Sender address for confirmation emails (a SendGrid verified sender).')
param emailFromAddress string = 'no-reply@example.com'

@description('Verification key of SendGrid\'s Signed Event Webhook (base64). Empty: POST /api/sendgrid/events refuses every request.')
param sendGridWebhookPublicKey string = ''

@description('Public base URL of the sign-up links; defaults to the function app\'s own host name.')
param publicBaseUrl string = ''

@description('Object id of a person to grant data access to the storage account (for azd and debugging). Optional.')
param principalId string = ''

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
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output SERVICE_API_URI string = app.outputs.functionAppUri
output AZURE_STORAGE_ACCOUNT_NAME string = app.outputs.storageAccountName
