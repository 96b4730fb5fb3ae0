//! The `/v2` routing table. Every path works with and without the `.json`
//! suffix (salesloft-api.md §1); anything else is a 404 `{"error":"Not Found"}`.

use axum::http::Method;

/// One recognised `/v2` endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Me,
    Team,
    Users,
    User(u64),
    People,
    Person(u64),
    CreatePerson,
    UpdatePerson(u64),
    Cadences,
    Cadence(u64),
    Memberships,
    Membership(u64),
    CreateMembership,
    DeleteMembership(u64),
    Steps,
    Step(u64),
    Emails,
    Email(u64),
    Calls,
    Call(u64),
    CreateCall,
    Dispositions,
    Sentiments,
    EmailTemplates,
    EmailTemplate(u64),
    CadenceExport(u64),
    CadenceImport,
    WebhookSubscriptions,
    WebhookSubscription(u64),
    CreateWebhookSubscription,
    UpdateWebhookSubscription(u64),
    DeleteWebhookSubscription(u64),
    NotFound,
}

impl Route {
    /// Routes a request path such as `/v2/people/5.json`.
    pub fn parse(method: &Method, path: &str) -> Route {
        let Some(rest) = path.strip_prefix("/v2/") else {
            return Route::NotFound;
        };
        let rest = rest.trim_end_matches('/');
        let rest = rest.strip_suffix(".json").unwrap_or(rest);
        let segs: Vec<&str> = rest.split('/').collect();
        let id = |s: &str| s.parse::<u64>().ok();
        let get = method == Method::GET;
        let post = method == Method::POST;
        let put = method == Method::PUT;
        let delete = method == Method::DELETE;
        let r = match segs.as_slice() {
            ["me"] if get => Some(Route::Me),
            ["team"] if get => Some(Route::Team),
            ["users"] if get => Some(Route::Users),
            ["users", i] if get => id(i).map(Route::User),
            ["people"] if get => Some(Route::People),
            ["people"] if post => Some(Route::CreatePerson),
            ["people", i] if get => id(i).map(Route::Person),
            ["people", i] if put => id(i).map(Route::UpdatePerson),
            ["cadences"] if get => Some(Route::Cadences),
            ["cadences", i] if get => id(i).map(Route::Cadence),
            ["cadence_memberships"] if get => Some(Route::Memberships),
            ["cadence_memberships"] if post => Some(Route::CreateMembership),
            ["cadence_memberships", i] if get => id(i).map(Route::Membership),
            ["cadence_memberships", i] if delete => id(i).map(Route::DeleteMembership),
            ["steps"] if get => Some(Route::Steps),
            ["steps", i] if get => id(i).map(Route::Step),
            ["activities", "emails"] if get => Some(Route::Emails),
            ["activities", "emails", i] if get => id(i).map(Route::Email),
            ["activities", "calls"] if get => Some(Route::Calls),
            ["activities", "calls"] if post => Some(Route::CreateCall),
            ["activities", "calls", i] if get => id(i).map(Route::Call),
            ["call_dispositions"] if get => Some(Route::Dispositions),
            ["call_sentiments"] if get => Some(Route::Sentiments),
            ["email_templates"] if get => Some(Route::EmailTemplates),
            ["email_templates", i] if get => id(i).map(Route::EmailTemplate),
            ["cadence_exports", i] if get => id(i).map(Route::CadenceExport),
            ["cadence_imports"] if post => Some(Route::CadenceImport),
            ["webhook_subscriptions"] if get => Some(Route::WebhookSubscriptions),
            ["webhook_subscriptions"] if post => Some(Route::CreateWebhookSubscription),
            ["webhook_subscriptions", i] if get => id(i).map(Route::WebhookSubscription),
            ["webhook_subscriptions", i] if put => id(i).map(Route::UpdateWebhookSubscription),
            ["webhook_subscriptions", i] if delete => id(i).map(Route::DeleteWebhookSubscription),
            _ => None,
        };
        r.unwrap_or(Route::NotFound)
    }

    /// Whether this is a list endpoint (deep pages cost more).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Route::Users
                | Route::People
                | Route::Cadences
                | Route::Memberships
                | Route::Steps
                | Route::Emails
                | Route::Calls
                | Route::Dispositions
                | Route::Sentiments
                | Route::EmailTemplates
        )
    }

    /// Whether the route changes data (it reads a body).
    pub fn is_mutation(self) -> bool {
        matches!(
            self,
            Route::CreatePerson
                | Route::UpdatePerson(_)
                | Route::CreateMembership
                | Route::DeleteMembership(_)
                | Route::CreateCall
                | Route::CadenceImport
                | Route::CreateWebhookSubscription
                | Route::UpdateWebhookSubscription(_)
                | Route::DeleteWebhookSubscription(_)
        )
    }

    /// A stable name for per-endpoint statistics.
    pub fn name(self) -> &'static str {
        match self {
            Route::Me => "GET me",
            Route::Team => "GET team",
            Route::Users => "GET users",
            Route::User(_) => "GET users/{id}",
            Route::People => "GET people",
            Route::Person(_) => "GET people/{id}",
            Route::CreatePerson => "POST people",
            Route::UpdatePerson(_) => "PUT people/{id}",
            Route::Cadences => "GET cadences",
            Route::Cadence(_) => "GET cadences/{id}",
            Route::Memberships => "GET cadence_memberships",
            Route::Membership(_) => "GET cadence_memberships/{id}",
            Route::CreateMembership => "POST cadence_memberships",
            Route::DeleteMembership(_) => "DELETE cadence_memberships/{id}",
            Route::Steps => "GET steps",
            Route::Step(_) => "GET steps/{id}",
            Route::Emails => "GET activities/emails",
            Route::Email(_) => "GET activities/emails/{id}",
            Route::Calls => "GET activities/calls",
            Route::Call(_) => "GET activities/calls/{id}",
            Route::CreateCall => "POST activities/calls",
            Route::Dispositions => "GET call_dispositions",
            Route::Sentiments => "GET call_sentiments",
            Route::EmailTemplates => "GET email_templates",
            Route::EmailTemplate(_) => "GET email_templates/{id}",
            Route::CadenceExport(_) => "GET cadence_exports/{id}",
            Route::CadenceImport => "POST cadence_imports",
            Route::WebhookSubscriptions => "GET webhook_subscriptions",
            Route::WebhookSubscription(_) => "GET webhook_subscriptions/{id}",
            Route::CreateWebhookSubscription => "POST webhook_subscriptions",
            Route::UpdateWebhookSubscription(_) => "PUT webhook_subscriptions/{id}",
            Route::DeleteWebhookSubscription(_) => "DELETE webhook_subscriptions/{id}",
            Route::NotFound => "not found",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_and_without_json_suffix() {
        let g = Method::GET;
        assert_eq!(Route::parse(&g, "/v2/people.json"), Route::People);
        assert_eq!(Route::parse(&g, "/v2/people"), Route::People);
        assert_eq!(Route::parse(&g, "/v2/people/7.json"), Route::Person(7));
        assert_eq!(Route::parse(&g, "/v2/activities/emails/9"), Route::Email(9));
        assert_eq!(Route::parse(&g, "/v2/people/abc"), Route::NotFound);
        assert_eq!(Route::parse(&g, "/v2/nope"), Route::NotFound);
        assert_eq!(
            Route::parse(&Method::DELETE, "/v2/cadence_memberships/3.json"),
            Route::DeleteMembership(3)
        );
        assert_eq!(Route::parse(&Method::DELETE, "/v2/people"), Route::NotFound);
    }
}
