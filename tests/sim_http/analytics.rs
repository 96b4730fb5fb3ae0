//! Email templates, cadence exports and imports.

use super::*;

#[tokio::test]
async fn emails_name_their_template_and_templates_count_their_emails() {
    let s = small().await;
    let emails = s.get("activities/emails?per_page=100&status=sent").await;
    let with = emails
        .data()
        .iter()
        .find(|e| e["email_template"]["id"].is_u64())
        .expect("a cadence email with a template");
    let tid = with["email_template"]["id"].as_u64().unwrap();
    assert!(
        with["email_template"]["_href"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/email_templates/{tid}"))
    );
    let t = s.get(&format!("email_templates/{tid}")).await;
    assert_eq!(t.status, StatusCode::OK);
    let t = &t.body["data"];
    assert_eq!(t["id"], json!(tid));
    assert!(t["title"].is_string() && t["subject"].is_string());
    assert!(t["counts"]["sent_emails"].as_u64().unwrap() >= 1);
    assert_eq!(t["cadence_template"], json!(true));

    // Cadence templates are hidden from the list unless asked for.
    let hidden = s.get("email_templates?per_page=100").await;
    assert!(hidden.data().is_empty());
    let step_id = with["step"]["id"].as_u64().unwrap();
    let cadence_id = with["cadence"]["id"].as_u64().unwrap();
    let listed = s
        .get(&format!(
            "email_templates?include_cadence_templates=true&cadence_id[]={cadence_id}&per_page=100"
        ))
        .await;
    assert!(listed.data().iter().any(|t| t["id"] == json!(tid)));
    let step = s.get(&format!("steps/{step_id}")).await;
    assert_eq!(step.body["data"]["type"], json!("email"));
}

#[tokio::test]
async fn export_then_import_makes_the_same_steps() {
    let s = small().await;
    let cadences = s.get("cadences?per_page=100").await;
    let source = cadences.data()[0]["id"].as_u64().unwrap();
    let export = s.get(&format!("cadence_exports/{source}.json")).await;
    assert_eq!(export.status, StatusCode::OK);
    let content = export.body["data"]["cadence_content"].clone();
    let groups = content["step_groups"].as_array().expect("step groups");
    assert!(!groups.is_empty());
    let exported_steps: usize = groups
        .iter()
        .map(|g| g["steps"].as_array().unwrap().len())
        .sum();

    let body = json!({
        "settings": {"name": "Imported copy", "target_daily_people": 20},
        "sharing_settings": {"team_cadence": true},
        "cadence_content": content,
    });
    let r = s.post_json("cadence_imports.json", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new_id = r.body["data"]["cadence"]["id"]
        .as_u64()
        .expect("new cadence id");
    let c = s.get(&format!("cadences/{new_id}")).await;
    assert_eq!(c.body["data"]["name"], json!("Imported copy"));
    assert_eq!(c.body["data"]["team_cadence"], json!(true));
    assert_eq!(c.body["data"]["counts"]["target_daily_people"], json!(20));
    let steps = s
        .get(&format!("steps?cadence_id={new_id}&per_page=100"))
        .await;
    assert_eq!(steps.data().len(), exported_steps);
    // Exporting the copy gives the same content back.
    let again = s.get(&format!("cadence_exports/{new_id}")).await;
    assert_eq!(
        again.body["data"]["cadence_content"],
        body["cadence_content"]
    );
}

#[tokio::test]
async fn bad_imports_are_422_and_unknown_exports_404() {
    let s = small().await;
    let r = s
        .post_json(
            "cadence_imports",
            &json!({"cadence_content": {"step_groups": []}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["errors"]["name"].is_array(), "{}", r.body);
    let r = s
        .post_json("cadence_imports", &json!({"settings": {"name": "x"}}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        s.get("cadence_exports/1").await.status,
        StatusCode::NOT_FOUND
    );
}
